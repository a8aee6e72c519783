#include "config.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/shim/idle-memory.h"

struct mapping
{
  unsigned long start, end;
  bool candidate; /* file-backed, not writable */
  bool dirty;     /* has private pages: not what the file holds */
};

#define MAX_MAPPINGS 128

/* Dropping a clean page of a private file mapping is harmless: the next
   access maps the file's page again.  A page written once (relocations,
   RELRO) must stay: only mappings without private dirty pages go. */
static bool
droppable (const struct mapping *m)
{
  return m->candidate && !m->dirty && m->end > m->start;
}

void
shim_idle_memory (void)
{
  FILE *f = fopen ("/proc/self/smaps", "re");
  struct mapping cur = { 0 }, drop[MAX_MAPPINGS];
  size_t n = 0;
  char line[512];

  malloc_trim (0);
  if (f == NULL)
    return;
  while (fgets (line, sizeof (line), f) != NULL)
    {
      unsigned long start, end, inode;
      char perms[8];
      unsigned long kb;

      if (sscanf (line, "%lx-%lx %7s %*s %*s %lu", &start, &end, perms, &inode) == 4)
        {
          if (droppable (&cur) && n < MAX_MAPPINGS)
            drop[n++] = cur;
          cur = (struct mapping){ start, end, inode != 0 && perms[1] != 'w' && perms[3] == 'p', false };
        }
      else if ((sscanf (line, "Private_Dirty: %lu kB", &kb) == 1 || sscanf (line, "Anonymous: %lu kB", &kb) == 1)
               && kb > 0)
        cur.dirty = true;
    }
  if (droppable (&cur) && n < MAX_MAPPINGS)
    drop[n++] = cur;
  fclose (f);
  /* all at the end: the code that reads smaps (stdio, the dynamic
     linker's lazy binding) would map its pages again */
  for (size_t i = 0; i < n; i++)
    (void) madvise ((void *) drop[i].start, drop[i].end - drop[i].start, MADV_DONTNEED);
}
