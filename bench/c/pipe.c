/* C twin of ../shared/bench/pipe.ilo: v=i>>dbl>>inc>>dbl>>inc summed in a while loop */
#include <stdio.h>
#include <stdlib.h>

static double dbl(double x) { return x * 2; }
static double inc(double x) { return x + 1; }

static double f(double n) {
    double s = 0, i = 0;
    while (i < n) {
        double v = inc(dbl(inc(dbl(i))));
        s = s + v;
        i = i + 1;
    }
    return s;
}

int main(int argc, char **argv) {
    printf("%.17g\n", f(argc > 1 ? atof(argv[1]) : 100));
    return 0;
}
