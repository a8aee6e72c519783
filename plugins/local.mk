# In-tree driver plugins: one module per driver, <kind>-<name>.so, built only
# against <berth/*.h> (never core/), exporting only the descriptor.
plugin_LTLIBRARIES += \
	plugins/storage/storage-vfs.la \
	plugins/storage/storage-overlay.la \
	plugins/storage/storage-btrfs.la \
	plugins/network/network-none.la \
	plugins/network/network-host.la \
	plugins/volume/volume-local.la \
	plugins/log/log-json-file.la \
	plugins/log/log-none.la

plugins_storage_storage_vfs_la_SOURCES = \
	plugins/storage/vfs.c \
	plugins/storage/vfs-tree.c plugins/storage/vfs-tree.h \
	plugins/storage/layer-book.c plugins/storage/layer-book.h
plugins_storage_storage_vfs_la_CFLAGS = $(berth_plugin_cflags)
plugins_storage_storage_vfs_la_LDFLAGS = $(berth_plugin_ldflags)

plugins_storage_storage_overlay_la_SOURCES = \
	plugins/storage/overlay.c \
	plugins/storage/overlay-layer.c plugins/storage/overlay-layer.h \
	plugins/storage/overlay-mount.c plugins/storage/overlay-mount.h \
	plugins/storage/overlay-probe.c plugins/storage/overlay-probe.h \
	plugins/storage/fs-name.c plugins/storage/fs-name.h
plugins_storage_storage_overlay_la_CFLAGS = $(berth_plugin_cflags)
plugins_storage_storage_overlay_la_LDFLAGS = $(berth_plugin_ldflags)

plugins_storage_storage_btrfs_la_SOURCES = \
	plugins/storage/btrfs.c \
	plugins/storage/btrfs-subvol.c plugins/storage/btrfs-subvol.h \
	plugins/storage/layer-book.c plugins/storage/layer-book.h \
	plugins/storage/fs-name.c plugins/storage/fs-name.h
plugins_storage_storage_btrfs_la_CFLAGS = $(berth_plugin_cflags)
plugins_storage_storage_btrfs_la_LDFLAGS = $(berth_plugin_ldflags)

plugins_network_network_none_la_SOURCES = \
	plugins/network/none.c \
	plugins/network/netbook.c plugins/network/netbook.h
plugins_network_network_none_la_CFLAGS = $(berth_plugin_cflags)
plugins_network_network_none_la_LDFLAGS = $(berth_plugin_ldflags)

plugins_network_network_host_la_SOURCES = \
	plugins/network/host.c \
	plugins/network/netbook.c plugins/network/netbook.h
plugins_network_network_host_la_CFLAGS = $(berth_plugin_cflags)
plugins_network_network_host_la_LDFLAGS = $(berth_plugin_ldflags)

plugins_volume_volume_local_la_SOURCES = plugins/volume/local.c
plugins_volume_volume_local_la_CFLAGS = $(berth_plugin_cflags) $(JSONC_CFLAGS)
plugins_volume_volume_local_la_LDFLAGS = $(berth_plugin_ldflags)
plugins_volume_volume_local_la_LIBADD = $(JSONC_LIBS)

plugins_log_log_json_file_la_SOURCES = \
	plugins/log/json-file.c plugins/log/json-file-read.c plugins/log/json-file.h
plugins_log_log_json_file_la_CFLAGS = $(berth_plugin_cflags) $(JSONC_CFLAGS)
plugins_log_log_json_file_la_LDFLAGS = $(berth_plugin_ldflags)
plugins_log_log_json_file_la_LIBADD = $(JSONC_LIBS)

plugins_log_log_none_la_SOURCES = plugins/log/none.c
plugins_log_log_none_la_CFLAGS = $(berth_plugin_cflags)
plugins_log_log_none_la_LDFLAGS = $(berth_plugin_ldflags)

plugin_LTLIBRARIES += plugins/log/log-local.la
plugins_log_log_local_la_SOURCES = \
	plugins/log/local.c plugins/log/local-read.c plugins/log/local-gzip.c plugins/log/local.h
plugins_log_log_local_la_CFLAGS = $(berth_plugin_cflags) $(ARCHIVE_CFLAGS)
plugins_log_log_local_la_LDFLAGS = $(berth_plugin_ldflags)
plugins_log_log_local_la_LIBADD = $(ARCHIVE_LIBS)

# bridge: netlink through libnl-route-3, rules through libnftables
plugin_LTLIBRARIES += plugins/network/network-bridge.la
plugins_network_network_bridge_la_SOURCES = \
	plugins/network/bridge.c \
	plugins/network/bridge-link.c plugins/network/bridge-link.h \
	plugins/network/bridge-nft.c plugins/network/bridge-nft.h \
	plugins/network/bridge-thread.c plugins/network/bridge-thread.h
plugins_network_network_bridge_la_CFLAGS = $(berth_plugin_cflags) $(LIBNL_CFLAGS) $(NFTABLES_CFLAGS)
plugins_network_network_bridge_la_LDFLAGS = $(berth_plugin_ldflags)
plugins_network_network_bridge_la_LIBADD = $(LIBNL_LIBS) $(NFTABLES_LIBS) -lpthread
# the state directory shared by the directory-per-layer storage drivers
plugins_storage_storage_vfs_la_SOURCES += plugins/storage/driver-root.c plugins/storage/driver-root.h
plugins_storage_storage_overlay_la_SOURCES += plugins/storage/driver-root.c plugins/storage/driver-root.h
plugins_storage_storage_btrfs_la_SOURCES += plugins/storage/driver-root.c plugins/storage/driver-root.h
# --log-opt parsing shared by the file-writing log drivers
plugins_log_log_json_file_la_SOURCES += plugins/log/file-opts.c plugins/log/file-opts.h
plugins_log_log_local_la_SOURCES += plugins/log/file-opts.c plugins/log/file-opts.h
plugins_log_log_json_file_la_SOURCES += plugins/log/file-driver.c plugins/log/file-driver.h
plugins_log_log_local_la_SOURCES += plugins/log/file-driver.c plugins/log/file-driver.h
