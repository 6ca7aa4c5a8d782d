#!/usr/bin/env bash
echo "test-msi: not written yet" >&2
exit 1
