/* flushcheck fast backend: what every generated model needs before its own code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

/* A runtime error of the model (the reference backend raises ModelRuntimeError for these):
 * kind 1: update `upd` of instance `inst` gives `value`, outside the variable's range;
 * kind 2: an optional index holds `value` where a member of 0..size-1 is needed. */
typedef struct { int kind; int inst; int upd; int64_t value; int64_t size; } fc_err;
