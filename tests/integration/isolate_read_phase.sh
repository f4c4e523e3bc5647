#!/bin/sh
# lifecycle_read_phase.sh with the plugin isolated: a RELOAD brings the new
# host to ready beside the old one, and the new one reads on the old one's
# schedule (no read off the phase, none missed for more than the reload).
IT_ISOLATE=1
export IT_ISOLATE
exec sh "$(dirname "$0")/lifecycle_read_phase.sh"
