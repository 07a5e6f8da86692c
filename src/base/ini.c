/*
 * What the validating php.ini handlers share (see ini.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "src/base/ini.h"

zend_result asynctask_ini_refuse(zend_ini_entry *entry, const char *shown, const char *accepted)
{
	/* the warning names the value being refused, not the one in force */
	php_error_docref(NULL, E_WARNING, "Invalid value \"%s\" for %s: %s; the previous or default value stays in force",
		shown, ZSTR_VAL(entry->name), accepted);
	return FAILURE;
}

bool asynctask_ini_parse_long(zend_string *value, zend_long min, zend_long max, zend_long *out)
{
	char *end;

	errno = 0;
	long long n = strtoll(ZSTR_VAL(value), &end, 10);
	if (ZSTR_LEN(value) == 0 || *end != '\0' || errno != 0 || n < min || n > max) {
		return false;
	}
	*out = (zend_long) n;
	return true;
}
