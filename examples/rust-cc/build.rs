fn main() {
    println!("cargo:rerun-if-changed=src/prime_sum.c");
    cc::Build::new().file("src/prime_sum.c").compile("prime_sum");
}
