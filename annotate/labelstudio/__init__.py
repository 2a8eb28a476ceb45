"""Stage 3: the bridge to Label Studio: the project (labeling config, instructions), records <->
tasks, push, pull, the local server. The only package that talks to Label Studio (client/)."""
