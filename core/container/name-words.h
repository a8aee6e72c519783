/* Word lists for generated container names (adjective_surname). */
#ifndef BERTH_CONTAINER_NAME_WORDS_H
#define BERTH_CONTAINER_NAME_WORDS_H

#include <stddef.h>

extern const char *const container_name_adjectives[];
extern const size_t container_name_n_adjectives;
extern const char *const container_name_surnames[];
extern const size_t container_name_n_surnames;

#endif
