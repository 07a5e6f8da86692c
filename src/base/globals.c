/*
 * The module's globals (php_asynctask.h): php.ini's values and this
 * process's state, which every layer reads. Defined here, at the bottom,
 * so that no layer links to the module entry above it for them.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"

#include "php_asynctask.h"

ZEND_DECLARE_MODULE_GLOBALS(asynctask)
