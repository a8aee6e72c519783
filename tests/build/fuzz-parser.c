/* libFuzzer target for the Dockerfile parser and the substitution and
   .dockerignore code the daemon runs on untrusted input: any bytes must
   give a result or a clean error, never a crash, leak or overflow.
   Built by ./configure --enable-fuzz CC=clang; run by `make fuzz`. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/build/expand.h"
#include "core/build/ignore.h"
#include "core/build/parser.h"
#include "core/lib/mem.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *
lookup (void *ud, const char *name)
{
  (void)ud;
  if (strcmp (name, "A") == 0)
    return "a b";
  if (strcmp (name, "EMPTY") == 0)
    return "";
  return NULL;
}

static void
expand_all (const struct build_dockerfile *df)
{
  struct build_lex lx = { df->escape, lookup, NULL };

  for (size_t i = 0; i < df->n; i++)
    {
      const struct build_instruction *in = &df->ins[i];
      berth_error_t err = NULL;
      char **words = NULL;
      char *one = NULL;

      if (build_expand_words (&lx, in->args, &words, &err) < 0)
        berth_error_release (&err);
      strv_free (words);
      words = NULL;
      if (build_split_words_raw (in->args, df->escape, &words, &err) < 0)
        berth_error_release (&err);
      strv_free (words);
      if (build_expand_word (&lx, in->args, &one, &err) < 0)
        berth_error_release (&err);
      free (one);
      for (size_t h = 0; h < in->n_heredocs; h++)
        {
          one = NULL;
          if (build_expand_raw (&lx, in->heredocs[h].content, &one, &err) < 0)
            berth_error_release (&err);
          free (one);
        }
      (void)build_instruction_flag (in, "from", NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct build_dockerfile *df = NULL;
  struct build_ignore *ig = NULL;
  berth_error_t err = NULL;
  char *text = xmalloc (size + 1);

  memcpy (text, data, size);
  text[size] = '\0';
  if (build_dockerfile_parse ("Dockerfile", text, size, &df, &err) == 0)
    {
      expand_all (df);
      build_dockerfile_free (df);
    }
  else
    berth_error_release (&err);
  /* the same bytes as a .dockerignore */
  if (build_ignore_parse (text, size, &ig, &err) == 0)
    {
      static const char *const paths[] = { "a", "a/b/c", "logs/x.log", ".dockerignore", "Dockerfile", "./x/../y", "" };
      for (size_t i = 0; i < sizeof (paths) / sizeof (paths[0]); i++)
        (void)build_ignore_excluded (ig, paths[i]);
      (void)build_ignore_has_exceptions (ig);
      build_ignore_free (ig);
    }
  else
    berth_error_release (&err);
  free (text);
  return 0;
}
