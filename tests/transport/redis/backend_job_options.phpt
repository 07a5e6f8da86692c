--TEST--
With a remote backend, Task::withPriority(), delay(), onQueue() (any valid name, declared nowhere: it would wait in Redis for a node that serves it) and a plain task go to Redis (here nobody listens: BackendException); retries and chains (built on the local backend only so far) are refused at dispatch() with AsyncTask\Exception "not supported yet: ..." before anything is sent
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['backend']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.dispatch_timeout=0
--FILE--
<?php
use AsyncTask\Task;
ini_set('asynctask.backend', 'redis://127.0.0.1:1/0');
ini_set('asynctask.secret', str_repeat('k', 32));
foreach ([
    'priority' => (new Task('strlen', 'x'))->withPriority(Task::HIGH),
    'delay' => (new Task('strlen', 'x'))->delay(1),
    'queue' => (new Task('strlen', 'x'))->onQueue('mail'),
    'retries' => (new Task('strlen', 'x'))->withRetries(2),
    'chain' => (new Task('strlen', 'x'))->then('strrev'),
    'plain' => new Task('strlen', 'x'),
] as $what => $task) {
    try {
        $task->dispatch();
        echo "$what: DISPATCHED\n";
    } catch (AsyncTask\Exception $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(AsyncTask\Pool::stats()['workers'] ?? 0);
?>
--EXPECTF--
priority: AsyncTask\BackendException: %s
delay: AsyncTask\BackendException: %s
queue: AsyncTask\BackendException: %s
retries: AsyncTask\Exception: not supported yet: retries (Task::withRetries() with more than 0 times) with the Redis backend (asynctask.backend): there a task runs again only when its node or worker dies (asynctask.max_attempts)
chain: AsyncTask\Exception: not supported yet: chains (Task::then()) with the Redis backend (asynctask.backend)
plain: AsyncTask\BackendException: %s
int(0)
