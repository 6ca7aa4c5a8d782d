#!/usr/bin/env bash
echo "test-version: not written yet" >&2
exit 1
