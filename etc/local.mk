# Installed configuration data beyond berth.yaml.
berthseccompdir = $(sysconfdir)/berth/seccomp
dist_berthseccomp_DATA = etc/seccomp/default.json
