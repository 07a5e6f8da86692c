dnl config.m4 for extension asynctask

PHP_ARG_ENABLE([asynctask],
  [whether to enable asynctask support],
  [AS_HELP_STRING([--enable-asynctask], [Enable asynctask (task workers over shared memory)])],
  [no])

PHP_ARG_ENABLE([asynctask-fault-injection],
  [whether to build asynctask's fault-injection hooks (test builds only)],
  [AS_HELP_STRING([--enable-asynctask-fault-injection],
    [asynctask: compile the ASYNCTASK_FAULT kill points and AsyncTask\Testing functions (never in a release build)])],
  [no],
  [no])

if test "$PHP_ASYNCTASK" != "no"; then
  if test "$PHP_ASYNCTASK_FAULT_INJECTION" != "no"; then
    AC_DEFINE(ASYNCTASK_FAULT_INJECTION, 1, [ asynctask test build: fault-injection hooks ])
  fi
  case $host_alias in
    *linux*|"") ;;
    *) AC_MSG_WARN([asynctask is developed and tested on Linux only]) ;;
  esac

  PKG_CHECK_MODULES([LIBEVENT], [libevent >= 2.1], [],
    [AC_MSG_ERROR([asynctask needs libevent 2.1 or newer and pkg-config to find it; on Debian/Ubuntu: apt-get install libevent-dev pkg-config])])
  PHP_EVAL_INCLINE($LIBEVENT_CFLAGS)
  PHP_EVAL_LIBLINE($LIBEVENT_LIBS, ASYNCTASK_SHARED_LIBADD)

  AC_SEARCH_LIBS([pthread_mutexattr_setrobust], [pthread], [],
    [AC_MSG_ERROR([asynctask needs robust process-shared pthread mutexes (pthread_mutexattr_setrobust)])])
  AC_CHECK_HEADERS([linux/futex.h sys/prctl.h])

  PHP_SUBST(ASYNCTASK_SHARED_LIBADD)
  AC_DEFINE(HAVE_ASYNCTASK, 1, [ Have asynctask support ])

  PHP_NEW_EXTENSION(asynctask,
    asynctask.c \
    src/exceptions.c \
    src/serializer.c \
    src/compact.c \
    src/callable.c \
    src/closure.c \
    src/payload.c \
    src/shm.c \
    src/lock.c \
    src/spill.c \
    src/queue.c \
    src/result.c \
    src/mailbox.c \
    src/pool.c \
    src/process.c \
    src/manager.c \
    src/worker.c \
    src/task.c \
    src/future.c \
    src/server.c \
    src/supervisor.c \
    src/unixmsg.c \
    src/rundir.c \
    src/fault.c,
    $ext_shared,, -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -std=gnu11)
  PHP_ADD_BUILD_DIR($ext_builddir/src)
  PHP_ADD_INCLUDE($ext_srcdir)
fi
