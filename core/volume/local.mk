# core/volume: the volume service (volumes of driver plugins, their
# metadata and users) and volume trees.  Part of the container library,
# which uses it for the volumes of containers.
core_libberth_container_la_SOURCES += \
	core/volume/service.c core/volume/service.h \
	core/volume/tree.c core/volume/tree.h
