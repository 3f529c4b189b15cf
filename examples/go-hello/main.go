// go-hello prints the architecture it runs as and the sum of the primes below 1000.
package main

import (
	"fmt"
	"runtime"
)

func primeSum(limit int) int {
	sum := 0
	for n := 2; n < limit; n++ {
		prime := true
		for d := 2; d*d <= n; d++ {
			if n%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			sum += n
		}
	}
	return sum
}

func main() {
	fmt.Printf("go-hello %s %d\n", runtime.GOARCH, primeSum(1000))
}
