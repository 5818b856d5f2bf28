# gcstools is also reachable through links named after its sub-commands.
gcstools_LINKS := tar2vhd vhd2tar exportSandbox remotefs netnscfg
