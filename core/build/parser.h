/* Dockerfile syntax: the text as a list of instructions.
 *
 * What is handled here, as Docker's parser does: a BOM, parser directives at
 * the very top (`# escape=` picks the escape character, `# syntax=` and
 * `# check=` are accepted and ignored), comment lines (also between
 * continued lines), line continuations with the escape character, blank
 * lines inside continuations, heredocs for RUN, COPY and ADD (`<<EOF`,
 * `<<-EOF` strips leading tabs, `<<"EOF"` / `<<'EOF'` turn off expansion),
 * leading `--name=value` flags, and JSON arrays (the exec form).
 * Variables are not expanded here (see expand.h): which environment applies
 * is only known while building.
 *
 * Errors read "<file>:<line>: <what was expected>". */
#ifndef BERTH_BUILD_PARSER_H
#define BERTH_BUILD_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lib/error.h"

/* Dockerfiles above this size are refused (Docker has no limit; a bound
   keeps a hostile upload from using the daemon's memory). */
#define BUILD_DOCKERFILE_MAX_SIZE (4u << 20)

struct build_heredoc
{
  char *name;    /* the terminator word, without quotes or '-' */
  char *content; /* every line up to the terminator, each ending in '\n' */
  bool expand;   /* unquoted name: variables are expanded in the content */
  bool chomp;    /* <<-: leading tabs were stripped */
};

struct build_flag
{
  char *name;  /* without "--" */
  char *value; /* NULL for "--name" without '=' */
};

struct build_instruction
{
  unsigned line; /* where the instruction starts */
  char *cmd;     /* keyword in lower case: "run", "copy", ... */
  char *text;    /* the instruction as written, continuations joined, flags kept */
  char *args;    /* after the keyword and flags, trimmed */
  struct build_flag *flags;
  size_t n_flags;
  bool json;   /* args is a JSON array of strings: the exec form */
  char **argv; /* with json: its elements (NULL-terminated) */
  struct build_heredoc *heredocs;
  size_t n_heredocs;
};

struct build_dockerfile
{
  char escape; /* '\\' or '`' */
  struct build_instruction *ins;
  size_t n;
};

/* name: how errors call the file ("Dockerfile"). */
int build_dockerfile_parse (const char *name, const char *text, size_t len, struct build_dockerfile **ret,
                            berth_error_t *err);
void build_dockerfile_free (struct build_dockerfile *df);

/* Parse one instruction line (ONBUILD triggers, `docker commit -c`); no
   heredocs, escape as given. */
int build_instruction_parse (const char *name, unsigned line, const char *text, char escape,
                             struct build_instruction *ret, berth_error_t *err);
void build_instruction_clear (struct build_instruction *in);

/* The flag's value, or NULL (*ret_present tells a "--x" without value
   from an absent flag; may be NULL). */
const char *build_instruction_flag (const struct build_instruction *in, const char *name, bool *ret_present);
/* EINVAL naming the first flag not in allowed (NULL-terminated). */
int build_instruction_check_flags (const char *file, const struct build_instruction *in,
                                   const char *const *allowed, berth_error_t *err);

#endif
