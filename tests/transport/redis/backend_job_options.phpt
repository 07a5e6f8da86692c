--TEST--
With a remote backend, every job option goes to Redis like a plain task (here nobody listens: BackendException): Task::withPriority(), delay(), onQueue() (any valid name, declared nowhere: it would wait in Redis for a node that serves it), withRetries() and then(), alone and together; nothing is refused as unsupported; a chain's link with a delay or a named queue is refused on both backends before anything is sent
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
    'all' => (new Task('strlen', 'x'))->onQueue('mail')->delay(0.5)->withPriority(Task::LOW)->withRetries(1, [0.1])
        ->then((new Task('strrev'))->withRetries(2)),
    'delayed link' => (new Task('strlen', 'x'))->then((new Task('strrev'))->delay(1)),
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
retries: AsyncTask\BackendException: %s
chain: AsyncTask\BackendException: %s
all: AsyncTask\BackendException: %s
delayed link: AsyncTask\Exception: not supported yet: a delay (Task::delay()) on a task chained with Task::then() (link 2): it runs as soon as the link before it succeeded
plain: AsyncTask\BackendException: %s
int(0)
