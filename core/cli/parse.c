#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/lib/mem.h"

static int
parse (int argc, char **argv, const char *usage, const struct option *opts, const char *shortopts, berth_opt_fn on_opt,
       void *ud, bool permute, int *exit_status)
{
  cleanup_free struct option *all = NULL;
  /* -h is --help unless the command uses it (run: --hostname) */
  bool h_is_help = shortopts == NULL || strchr (shortopts, 'h') == NULL;
  cleanup_free char *short_all
      = xasprintf ("%s:%s%s", permute ? "" : "+", h_is_help ? "h" : "", shortopts != NULL ? shortopts : "");
  size_t n = 0;
  int c;

  while (opts != NULL && opts[n].name != NULL)
    n++;
  all = xmalloc0 ((n + 2) * sizeof (*all));
  if (n > 0)
    memcpy (all, opts, n * sizeof (*all));
  all[n] = (struct option){ "help", no_argument, NULL, BERTH_OPT_HELP };

  optind = 0; /* glibc: start over, also resetting its internal state */
  opterr = 0;
  while ((c = getopt_long (argc, argv, short_all, all, NULL)) != -1)
    {
      if (c == 'h' && h_is_help)
        c = BERTH_OPT_HELP;
      switch (c)
        {
        case BERTH_OPT_HELP:
          fputs (usage, stdout);
          *exit_status = 0;
          return 1;
        case '?':
          if (optopt != 0)
            fprintf (stderr, "unknown shorthand flag: '%c' in -%c\n", optopt, optopt);
          else
            fprintf (stderr, "unknown flag: %s\n", argv[optind - 1]);
          break;
        case ':':
          /* a command whose -h takes a value (run -h HOSTNAME): a bare -h at
             the end still asks for help */
          if (optopt == 'h')
            {
              fputs (usage, stdout);
              *exit_status = 0;
              return 1;
            }
          fprintf (stderr, "flag needs an argument: %s\n", argv[optind - 1]);
          break;
        default:
          if (on_opt != NULL && on_opt (c, optarg, ud) == 0)
            continue;
          if (on_opt == NULL)
            fprintf (stderr, "unknown flag: %s\n", argv[optind - 1]);
          break;
        }
      fprintf (stderr, "See 'berth %s --help'.\n", argv[0]);
      *exit_status = 125;
      return 1;
    }
  return 0;
}

int
berth_cli_parse (int argc, char **argv, const char *usage, const struct option *opts, const char *shortopts,
                 berth_opt_fn on_opt, void *ud, int *exit_status)
{
  return parse (argc, argv, usage, opts, shortopts, on_opt, ud, false, exit_status);
}

int
berth_cli_parse_interspersed (int argc, char **argv, const char *usage, const struct option *opts,
                              const char *shortopts, berth_opt_fn on_opt, void *ud, int *exit_status)
{
  /* "--" still ends the options */
  return parse (argc, argv, usage, opts, shortopts, on_opt, ud, true, exit_status);
}
