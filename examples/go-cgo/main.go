// go-cgo computes the sum of the primes below 1000 in C, so it only builds with a working C cross compiler.
package main

/*
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
*/
import "C"

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("go-cgo %s %d\n", runtime.GOARCH, int(C.prime_sum(1000)))
}
