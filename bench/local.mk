# Side-by-side benchmarks (root; hyperfine and the compared engines installed).
berth_bench_scripts = bench/runtime.sh bench/storage.sh bench/images.sh bench/run.sh
berth_bench_scripts += bench/pull.sh bench/build.sh
EXTRA_DIST += $(berth_bench_scripts)

bench: all
	@set -e; for s in $(berth_bench_scripts); do \
	  echo "== $$s"; $(SHELL) $(srcdir)/$$s $(abs_builddir); done
.PHONY: bench
