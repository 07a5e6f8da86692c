--TEST--
The signing key is HMAC-SHA256(secret, "asynctask/v1/" . asynctask.prefix): an entry signed for one prefix is refused under another with the same secret; the key follows a change of prefix or secret (inline or secret_file) and is never the secret itself
--DESCRIPTION--
Two applications that share one Redis and one secret but not asynctask.prefix
must not run each other's entries (a replay across prefixes): every
dispatcher and node signs with the key derived from both
(asynctask_secret_signing_key(), src/api/redis/secret.h).
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['wire']; require __DIR__ . '/skipif.inc'; ?>
--INI--
asynctask.secret=startup-secret-of-more-than-32-bytes
asynctask.prefix=shop
pcre.jit=0
--FILE--
<?php
use function AsyncTask\Testing\{signingKey, wireEncode, wireDecode};

function derived(string $secret, string $prefix): string
{
    return hash_hmac('sha256', 'asynctask/v1/' . $prefix, $secret, true);
}

function refusal(callable $fn): void
{
    try {
        $fn();
        echo "accepted\n";
    } catch (AsyncTask\Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$startup = 'startup-secret-of-more-than-32-bytes';
$entry = ['kind' => 'task', 'id' => '00112233445566778899aabbccddeeff', 'queue' => 'emails',
    'reply_key' => 'shop:r:web-1', 'payload' => 'payload bytes'];

echo "-- the startup secret and prefix (php.ini)\n";
$shop = signingKey();
var_dump(strlen($shop), $shop === derived($startup, 'shop'), $shop !== $startup, signingKey() === $shop);
$bytes = wireEncode($entry, $shop);
var_dump(wireDecode($bytes, 'task', signingKey())['payload']);

echo "-- another prefix, the same secret: another key, the entry refused\n";
ini_set('asynctask.prefix', 'blog');
$blog = signingKey();
var_dump($blog === derived($startup, 'blog'), $blog !== $shop);
refusal(fn () => wireDecode($bytes, 'task', signingKey()));
// a result the blog application signs does not pass in the shop either
$result = wireEncode(['kind' => 'result', 'queue' => 'emails', 'node' => 'n1', 'payload' => 'r'], $blog);
ini_set('asynctask.prefix', 'shop');
var_dump(signingKey() === $shop);
refusal(fn () => wireDecode($result, 'result', signingKey()));
// nor does an entry signed with the raw secret (what a build before the derivation sent)
refusal(fn () => wireDecode(wireEncode($entry, $startup), 'task', signingKey()));

echo "-- a prefix differing in case or by a hash tag is another prefix\n";
foreach (['Shop', '{shop}', 'shop:'] as $prefix) {
    ini_set('asynctask.prefix', $prefix);
    var_dump(signingKey() === derived($startup, $prefix) && signingKey() !== $shop);
}
ini_restore('asynctask.prefix');
var_dump(ini_get('asynctask.prefix'), signingKey() === $shop);

echo "-- another secret, the same prefix: another key\n";
$other = str_repeat('0123456789abcdef', 3);
ini_set('asynctask.secret', $other);
var_dump(signingKey() === derived($other, 'shop'));
refusal(fn () => wireDecode($bytes, 'task', signingKey()));

echo "-- the secret from a file (its final newline is not part of it)\n";
$dir = sys_get_temp_dir() . '/asynctask-signing-' . getmypid();
@mkdir($dir, 0700);
file_put_contents("$dir/secret", "file-secret-of-at-least-thirty-two-bytes\n");
chmod("$dir/secret", 0600);
ini_set('asynctask.secret', '');
ini_set('asynctask.secret_file', "$dir/secret");
var_dump(signingKey() === derived('file-secret-of-at-least-thirty-two-bytes', 'shop'));

echo "-- no usable secret: no key\n";
ini_set('asynctask.secret_file', '');
refusal(fn () => signingKey());
ini_set('asynctask.secret', 'too short');
refusal(fn () => signingKey());

echo "-- back to the startup settings: the first key again\n";
ini_restore('asynctask.secret');
ini_restore('asynctask.secret_file');
var_dump(signingKey() === $shop, wireDecode($bytes, 'task', signingKey())['queue']);
?>
--CLEAN--
<?php
$dir = sys_get_temp_dir() . '/asynctask-signing-' . getmypid();
@unlink("$dir/secret");
@rmdir($dir);
?>
--EXPECTF--
-- the startup secret and prefix (php.ini)
int(32)
bool(true)
bool(true)
bool(true)
string(13) "payload bytes"
-- another prefix, the same secret: another key, the entry refused
bool(true)
bool(true)
AsyncTask\Exception: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
bool(true)
AsyncTask\Exception: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
AsyncTask\Exception: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
-- a prefix differing in case or by a hash tag is another prefix
bool(true)
bool(true)
bool(true)
string(4) "shop"
bool(true)
-- another secret, the same prefix: another key
bool(true)
AsyncTask\Exception: refused a %d-byte entry: its HMAC-SHA256 does not match (not signed with this asynctask.secret, or altered); nothing of it was decoded
-- the secret from a file (its final newline is not part of it)
bool(true)
-- no usable secret: no key
AsyncTask\BackendException: a remote backend signs every task and result: set asynctask.secret_file (or asynctask.secret) to at least 32 random bytes, the same on every node (e.g. openssl rand -hex 32)
AsyncTask\BackendException: asynctask.secret holds 9 bytes: a remote backend needs a secret of at least 32 bytes (e.g. openssl rand -hex 32)
-- back to the startup settings: the first key again
bool(true)
string(6) "emails"
