/* The configuration as plugins see it: the oconfig tree types and the
 * cf_util_get_* helpers that read one option's value with a clear error.
 * The core's own configuration handling is in configfile.c. */
#ifndef CONFIGFILE_H
#define CONFIGFILE_H

#include "collectd.h"

#include "liboconfig/oconfig.h"
#include "utils_time.h"

/* The core's side, kept with their 5.12 names for compatibility. */
void cf_unregister(const char *type);
void cf_unregister_complex(const char *type);
void cf_register(const char *type, int (*callback)(const char *, const char *),
                 const char **keys, int keys_num);
int cf_register_complex(const char *type, int (*callback)(oconfig_item_t *));

/* Reads the configuration file (and what it includes) and applies it:
 * global options, LoadPlugin and Plugin blocks. Returns 0 or negative. */
int cf_read(const char *filename);

int global_option_set(const char *option, const char *value, bool from_cli);
const char *global_option_get(const char *option);
long global_option_get_long(const char *option, long default_value);
cdtime_t global_option_get_time(char const *option, cdtime_t default_value);

cdtime_t cf_get_default_interval(void);

/* Each helper checks that `ci` has exactly one value of the right type,
 * logs an error naming the option otherwise, and returns 0 or -1. */
int cf_util_get_string(const oconfig_item_t *ci, char **ret_string);
int cf_util_get_string_buffer(const oconfig_item_t *ci, char *buffer,
                              size_t buffer_size);
int cf_util_get_int(const oconfig_item_t *ci, int *ret_value);
int cf_util_get_double(const oconfig_item_t *ci, double *ret_value);
int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool);
/* Sets or clears `flag` in *ret_value according to a boolean option. */
int cf_util_get_flag(const oconfig_item_t *ci, unsigned int *ret_value,
                     unsigned int flag);
/* A port number, given as a number or a string; returns it or -1. */
int cf_util_get_port_number(const oconfig_item_t *ci);
/* A service name or port number, as a newly allocated string. */
int cf_util_get_service(const oconfig_item_t *ci, char **ret_string);
/* A duration in seconds (may be fractional). */
int cf_util_get_cdtime(const oconfig_item_t *ci, cdtime_t *ret_value);

#endif /* CONFIGFILE_H */
