--TEST--
Redis wire signature: HMAC-SHA256 gives the RFC 4231 test vectors (keys shorter than, equal to and longer than a block, truncation) and agrees with hash_hmac() on keys and messages around the 64-byte block
--EXTENSIONS--
asynctask
--SKIPIF--
<?php $needs = ['wire']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use function AsyncTask\Testing\hmacSha256;

// RFC 4231 section 4, test cases 1-7: [key, data, HMAC-SHA-256 (test case 5: its first 128 bits)]
$vectors = [
    1 => [str_repeat("\x0b", 20), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    2 => ['Jefe', 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    3 => [str_repeat("\xaa", 20), str_repeat("\xdd", 50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    4 => [hex2bin('0102030405060708090a0b0c0d0e0f10111213141516171819'), str_repeat("\xcd", 50),
        '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    5 => [str_repeat("\x0c", 20), 'Test With Truncation', 'a3b6167473100ee06e0c796c2955552b'],
    6 => [str_repeat("\xaa", 131), 'Test Using Larger Than Block-Size Key - Hash Key First',
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    7 => [str_repeat("\xaa", 131), 'This is a test using a larger than block-size key and a larger than block-size data. '
        . 'The key needs to be hashed before being used by the HMAC algorithm.',
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
];
foreach ($vectors as $case => [$key, $data, $expected]) {
    $mac = hmacSha256($key, $data);
    printf("RFC 4231 case %d: %d bytes, %s\n", $case, strlen($mac),
        str_starts_with(bin2hex($mac), $expected) ? 'matches' : 'DIFFERS: ' . bin2hex($mac));
}

// keys of 0..130 bytes (a block is 64) and messages of 0..300 bytes, binary
$mismatches = 0;
foreach ([0, 1, 31, 32, 63, 64, 65, 127, 128, 130] as $keyLen) {
    foreach ([0, 1, 55, 56, 63, 64, 65, 119, 120, 300] as $dataLen) {
        $key = $keyLen ? random_bytes($keyLen) : '';
        $data = $dataLen ? random_bytes($dataLen) : '';
        $mismatches += hmacSha256($key, $data) !== hash_hmac('sha256', $data, $key, true);
    }
}
echo "against hash_hmac(): $mismatches mismatches in 100 pairs\n";
?>
--EXPECT--
RFC 4231 case 1: 32 bytes, matches
RFC 4231 case 2: 32 bytes, matches
RFC 4231 case 3: 32 bytes, matches
RFC 4231 case 4: 32 bytes, matches
RFC 4231 case 5: 32 bytes, matches
RFC 4231 case 6: 32 bytes, matches
RFC 4231 case 7: 32 bytes, matches
against hash_hmac(): 0 mismatches in 100 pairs
