#!/usr/bin/env bash
echo "test-deb: not written yet" >&2
exit 1
