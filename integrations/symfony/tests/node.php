<?php

declare(strict_types=1);

/*
 * The Redis node of the tests' second pass: ../ci runs it with the same php settings as the
 * dispatching test script (asynctask.backend, asynctask.secret_file, asynctask.queues, and
 * asynctask.bootstrap = tests/app/worker-bootstrap.php, which boots the kernel in each worker),
 * plus asynctask.node and asynctask.status_listen. A node of an application is this one line
 * (under systemd, see the extension's README "Several machines: nodes"): it serves the queues'
 * streams until SIGTERM, then lets the running messages finish and returns.
 */

AsyncTask\Pool::serve();
