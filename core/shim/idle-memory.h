/* The shim spends its life waiting in poll: once the container runs, give
   back what starting it used. */
#ifndef BERTH_SHIM_IDLE_MEMORY_H
#define BERTH_SHIM_IDLE_MEMORY_H

/* Return the heap's free memory (malloc_trim), and unmap from this process
   the pages of its read-only file mappings (libc's text above all, which
   page faults map in 64 KiB blocks): they are shared page-cache pages,
   mapped again one by one when a code path runs next. */
void shim_idle_memory (void);

#endif
