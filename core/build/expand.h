/* Variable substitution in Dockerfile words, as Docker's shell lexer does
 * it: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt},
 * ${VAR+alt}, ${VAR:?message}, ${VAR?message}; single quotes are literal,
 * double quotes allow substitution, the escape character quotes the next
 * character (inside double quotes only before '"', '$' and itself).  An
 * unset variable expands to nothing.
 *
 * Used for the instructions Docker expands: ENV, LABEL, ARG, ADD, COPY,
 * WORKDIR, EXPOSE, VOLUME, USER, STOPSIGNAL, and FROM (with the ARGs
 * before it).  RUN, CMD and ENTRYPOINT are left to the shell. */
#ifndef BERTH_BUILD_EXPAND_H
#define BERTH_BUILD_EXPAND_H

#include "core/lib/error.h"

/* The value of name, or NULL when it is not set. */
typedef const char *(*build_lookup_fn) (void *ud, const char *name);

struct build_lex
{
  char escape;
  build_lookup_fn lookup;
  void *ud;
};

/* One word: substitutions made, quotes and escapes removed, no splitting. */
int build_expand_word (const struct build_lex *lx, const char *s, char **ret, berth_error_t *err);
/* Words split at unquoted blanks (also inside unquoted substitutions);
   a NULL-terminated vector. */
int build_expand_words (const struct build_lex *lx, const char *s, char ***ret, berth_error_t *err);
/* Heredoc bodies: substitutions only; quotes are plain characters and the
   escape character only protects a following '$'. */
int build_expand_raw (const struct build_lex *lx, const char *s, char **ret, berth_error_t *err);

/* Split at unquoted blanks keeping quotes and escapes (ENV/LABEL pairs,
   whose parts are expanded one by one). */
int build_split_words_raw (const char *s, char escape, char ***ret, berth_error_t *err);

#endif
