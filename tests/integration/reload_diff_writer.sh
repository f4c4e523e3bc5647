#!/bin/sh
# lifecycle_csv_reload.sh through the reload of the whole configuration:
# 40,000 PUTVALs or more while csv's block is edited and the whole
# configuration reloaded 20 times; every accepted value is in csv once.
IT_WHOLE=1
export IT_WHOLE
exec sh "$(dirname "$0")/lifecycle_csv_reload.sh"
