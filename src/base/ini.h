/*
 * What the validating php.ini handlers share: the warning that refuses a
 * value (naming the setting and what it accepts), and the parsing of a
 * whole-number value. The module's handlers (asynctask.c) and the Redis
 * backend's (api/redis/settings.c) use them.
 */
#ifndef ASYNCTASK_INI_H
#define ASYNCTASK_INI_H

#include "php.h"
#include "php_ini.h"

/* Warns that `shown` is refused for the setting and what it accepts; the
 * previous or default value stays in force. Returns FAILURE, for the handler
 * to return. */
zend_result asynctask_ini_refuse(zend_ini_entry *entry, const char *shown, const char *accepted);

/* A whole number from min to max, written in decimal and nothing else. */
bool asynctask_ini_parse_long(zend_string *value, zend_long min, zend_long max, zend_long *out);

#endif
