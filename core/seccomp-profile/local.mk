# core/seccomp-profile: Docker-format seccomp profiles -> OCI linux.seccomp.
core_libberth_core_la_SOURCES += \
	core/seccomp-profile/seccomp-profile.h \
	core/seccomp-profile/profile.c core/seccomp-profile/profile.h \
	core/seccomp-profile/arch.c core/seccomp-profile/arch.h \
	core/seccomp-profile/convert.c \
	core/seccomp-profile/default.c
