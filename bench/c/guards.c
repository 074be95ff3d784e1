/* C twin of ../shared/bench/guards.ilo (classify by guards, summed in a while loop) */
#include <stdio.h>
#include <stdlib.h>

static double classify(double x) {
    if (x >= 900) return 30;
    if (x >= 700) return 25;
    if (x >= 500) return 20;
    if (x >= 300) return 15;
    if (x >= 100) return 10;
    return 5;
}

static double f(double n) {
    double s = 0, i = 0;
    while (i < n) {
        s = s + classify(i);
        i = i + 1;
    }
    return s;
}

int main(int argc, char **argv) {
    printf("%.17g\n", f(argc > 1 ? atof(argv[1]) : 1000));
    return 0;
}
