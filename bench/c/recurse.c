/* C twin of ../shared/bench/recurse.ilo: fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b */
#include <stdio.h>
#include <stdlib.h>

static double fib(double n) {
    if (n <= 1) return n;
    double a = fib(n - 1);
    double b = fib(n - 2);
    return a + b;
}

int main(int argc, char **argv) {
    printf("%.17g\n", fib(argc > 1 ? atof(argv[1]) : 20));
    return 0;
}
