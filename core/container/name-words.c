/* Our own lists: cheerful adjectives, and surnames of people who shaped
   computing, mathematics and the natural sciences. */
#include "config.h"

#include "core/container/name-words.h"

const char *const container_name_adjectives[] = {
  "agile",    "amber",    "ardent",   "bold",     "boring",   "brave",    "bright",   "brisk",    "calm",
  "candid",   "clever",   "cosmic",   "crisp",    "curious",  "daring",   "deft",     "eager",    "earnest",
  "elated",   "fearless", "festive",  "fluent",   "gallant",  "gentle",   "gleeful",  "golden",   "graceful",
  "hardy",    "hearty",   "humble",   "jolly",    "keen",     "kind",     "lively",   "loyal",    "lucid",
  "mellow",   "merry",    "mighty",   "modest",   "nimble",   "noble",    "patient",  "placid",   "plucky",
  "polite",   "quiet",    "quirky",   "radiant",  "rapid",    "serene",   "sharp",    "shiny",    "spry",
  "steady",   "stoic",    "sunny",    "swift",    "tender",   "tidy",     "trusty",   "upbeat",   "valiant",
  "vivid",    "warm",     "wise",     "witty",    "zealous",  "zesty",
};
const size_t container_name_n_adjectives = sizeof (container_name_adjectives) / sizeof (container_name_adjectives[0]);

const char *const container_name_surnames[] = {
  "agnesi",    "babbage",   "backus",    "bohr",      "boole",     "cantor",    "carson",    "cerf",
  "curie",     "darwin",    "dijkstra",  "euler",     "faraday",   "fermat",    "feynman",   "franklin",
  "gauss",     "goldberg",  "goodall",   "hamilton",  "hawking",   "hilbert",   "hopper",    "hypatia",
  "johnson",   "kepler",    "knuth",     "kovalevsky", "lamarr",   "lamport",   "leavitt",   "liskov",
  "lovelace",  "maxwell",   "meitner",   "mendel",    "mirzakhani", "newton",   "noether",   "pascal",
  "pasteur",   "perlman",   "planck",    "ramanujan", "ritchie",   "shannon",   "somerville", "thompson",
  "tesla",     "torvalds",  "turing",    "volta",     "wilkes",    "wozniak",   "wu",        "yonath",
};
const size_t container_name_n_surnames = sizeof (container_name_surnames) / sizeof (container_name_surnames[0]);
