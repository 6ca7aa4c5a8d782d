#!/usr/bin/env bash
echo "test-rpm: not written yet" >&2
exit 1
