#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"

static void
indent (FILE *out, int n)
{
  for (int i = 0; i < n; i++)
    fputc (' ', out);
}

static void
print_value (FILE *out, struct json_object *v, int depth)
{
  if (json_object_is_type (v, json_type_object) && json_object_object_length (v) > 0)
    {
      int i = 0, n = json_object_object_length (v);
      fputs ("{\n", out);
      json_object_object_foreach (v, key, val)
      {
        struct json_object *k = json_object_new_string (key);
        indent (out, (depth + 1) * 4);
        fprintf (out,
                 "%s: ", json_object_to_json_string_ext (k, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put (k);
        print_value (out, val, depth + 1);
        fputs (++i < n ? ",\n" : "\n", out);
      }
      indent (out, depth * 4);
      fputc ('}', out);
      return;
    }
  if (json_object_is_type (v, json_type_array) && json_object_array_length (v) > 0)
    {
      size_t n = json_object_array_length (v);
      fputs ("[\n", out);
      for (size_t i = 0; i < n; i++)
        {
          indent (out, (depth + 1) * 4);
          print_value (out, json_object_array_get_idx (v, i), depth + 1);
          fputs (i + 1 < n ? ",\n" : "\n", out);
        }
      indent (out, depth * 4);
      fputc (']', out);
      return;
    }
  fputs (v == NULL ? "null"
                   : json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
         out);
}

void
berth_json_print_indent (FILE *out, struct json_object *v)
{
  print_value (out, v, 0);
  fputc ('\n', out);
}
