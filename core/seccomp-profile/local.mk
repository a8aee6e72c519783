# core/seccomp-profile: Docker-format seccomp profiles -> OCI linux.seccomp.
core_libberth_core_la_SOURCES += \
	core/seccomp-profile/seccomp-profile.h \
	core/seccomp-profile/profile.c core/seccomp-profile/profile.h \
	core/seccomp-profile/arch.c core/seccomp-profile/arch.h \
	core/seccomp-profile/convert.c \
	core/seccomp-profile/default.c

# The default profile compiled in, as a C string generated from etc/seccomp/default.json.
nodist_core_libberth_core_la_SOURCES = core/seccomp-profile/builtin-profile.c
BUILT_SOURCES = core/seccomp-profile/builtin-profile.c
CLEANFILES += core/seccomp-profile/builtin-profile.c
core/seccomp-profile/builtin-profile.c: $(top_srcdir)/etc/seccomp/default.json
	$(AM_V_GEN)$(MKDIR_P) core/seccomp-profile && { \
	  echo '/* Generated from etc/seccomp/default.json; do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char seccomp_builtin_profile[];'; \
	  echo 'extern const size_t seccomp_builtin_profile_len;'; \
	  echo 'const char seccomp_builtin_profile[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/  "/; s/$$/\\n"/' $(top_srcdir)/etc/seccomp/default.json; \
	  echo '  ;'; \
	  echo 'const size_t seccomp_builtin_profile_len = sizeof (seccomp_builtin_profile) - 1;'; \
	} > $@.tmp && mv $@.tmp $@
