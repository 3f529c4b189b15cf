/* Prints the machine it runs on (qemu-user reports the emulated one), the sum of the primes below 1000,
 * and zlib's CRC-32 of "hello", so a test sees that the target's zlib was linked and works. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

static int prime_sum(int limit) {
    int sum = 0;
    for (int n = 2; n < limit; n++) {
        int prime = 1;
        for (int d = 2; d * d <= n; d++) {
            if (n % d == 0) { prime = 0; break; }
        }
        if (prime) sum += n;
    }
    return sum;
}

int main(void) {
    struct utsname u;
    if (uname(&u) != 0) return 1;
    const char *text = "hello";
    unsigned long crc = crc32(0L, (const unsigned char *)text, (unsigned)strlen(text));
    printf("c-meson %s %d crc=%08lx\n", u.machine, prime_sum(1000), crc);
    return 0;
}
