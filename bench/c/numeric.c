/* C twin of ../shared/bench/numeric.ilo: f n:n>n;s=0;i=1;wh <=i n{s=+s i;i=+i 1};s */
#include <stdio.h>
#include <stdlib.h>

static double f(double n) {
    double s = 0, i = 1;
    while (i <= n) {
        s = s + i;
        i = i + 1;
    }
    return s;
}

int main(int argc, char **argv) {
    printf("%.17g\n", f(argc > 1 ? atof(argv[1]) : 1000));
    return 0;
}
