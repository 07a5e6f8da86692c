<?php
/*
 * asynctask.bootstrap: every task worker includes this file once when it
 * starts, before its first task. Register the autoloader here so that the
 * classes a task uses (Crowdfunding\Tasks, ...) load inside the worker.
 */
require_once __DIR__ . '/autoload.php';
