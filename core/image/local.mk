# core/image: digests, references, the image store, configs and manifests,
# layer apply / diff.  Part of libberth-core.
core_libberth_core_la_SOURCES += \
	core/image/digest.c core/image/digest.h \
	core/image/json-field.c core/image/json-field.h \
	core/image/reference.c core/image/reference.h \
	core/image/store.c core/image/store.h core/image/store-internal.h \
	core/image/store-blob.c \
	core/image/store-layer.c \
	core/image/store-image.c \
	core/image/image-config.c core/image/image-config.h \
	core/image/manifest.c core/image/manifest.h \
	core/image/path-set.c core/image/path-set.h \
	core/image/in-root.c core/image/in-root.h \
	core/image/layer-apply.c core/image/layer-apply.h \
	core/image/layer-diff.c core/image/layer-diff.h
core_libberth_core_la_CFLAGS += $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
core_libberth_core_la_LIBADD += $(ARCHIVE_LIBS) $(CRYPTO_LIBS)
# the image service: the store glued to the storage driver, and the
# operations the daemon's image routes run
core_libberth_core_la_SOURCES += \
	core/image/layer-tar.c core/image/layer-tar.h \
	core/image/store-gc.c core/image/store-gc.h \
	core/image/image-change.c core/image/image-change.h \
	core/image/service.c core/image/service.h core/image/service-internal.h \
	core/image/service-remove.c \
	core/image/service-import.c \
	core/image/archive-load.c core/image/archive-load.h \
	core/image/archive-save.c core/image/archive-save.h
# commit: a container's layer diff as a new image
core_libberth_core_la_SOURCES += core/image/service-commit.c core/image/service-commit.h
