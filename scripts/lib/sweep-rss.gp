# RSS over time per worker, restarts marked: no cycling against --rss-soft-mb (bench-sweep).
# gnuplot -e "none='…'; soft='…'; softr='…'; bound=40; n=500; out='…'" sweep-rss.gp
set terminal pngcairo size 1100,500 font ",10"
set output out
set title sprintf("Worker RSS over a %d-module sweep (-j2): no cycling vs --rss-soft-mb %d (x: restart)", n, bound)
set xlabel "seconds"; set ylabel "RSS (MB)"; set key outside right
set datafile separator "\t"
set yrange [0:*]
plot none using 1:($2==1 ? $3 : 1/0) every ::1 with points pt 7 ps 0.25 lc rgb "#999999" title "no cycling, worker 1", \
     none using 1:($2==2 ? $3 : 1/0) every ::1 with points pt 7 ps 0.25 lc rgb "#cccccc" title "no cycling, worker 2", \
     soft using 1:($2==1 ? $3 : 1/0) every ::1 with points pt 7 ps 0.3 lc rgb "#1f77b4" title sprintf("rss-soft %d, worker 1", bound), \
     soft using 1:($2==2 ? $3 : 1/0) every ::1 with points pt 7 ps 0.3 lc rgb "#ff7f0e" title sprintf("rss-soft %d, worker 2", bound), \
     softr using 1:(bound) every ::1 with points pt 2 ps 1.5 lw 2 lc rgb "#d62728" title "restart", \
     bound with lines dt 2 lc rgb "#d62728" title "bound"
