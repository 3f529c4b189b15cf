//! The sum of the primes below 1000, computed by C code that the `cc` crate cross-compiles.

extern "C" {
    fn prime_sum(limit: i32) -> i32;
}

fn main() {
    // SAFETY: prime_sum only reads its argument.
    let sum = unsafe { prime_sum(1000) };
    println!("rust-cc {} {sum}", std::env::consts::ARCH);
}
