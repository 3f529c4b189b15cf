//! Prints the architecture it was built for and the sum of the primes below 1000.

fn prime_sum(limit: u32) -> u32 {
    (2..limit).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0)).sum()
}

fn main() {
    println!("rust-hello {} {}", std::env::consts::ARCH, prime_sum(1000));
}
