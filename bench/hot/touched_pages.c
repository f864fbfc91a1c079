// LD_PRELOAD helper for bench/hot/order.sh: records which pages of the executable's code a
// run really executes. The kernel maps file pages in 64 kB "fault-around" blocks, so a
// process's Rss says which blocks were touched, not which pages. This library gives each
// page of the executable's read-only file mappings a VMA of its own (alternating
// VM_DONTDUMP, which changes nothing else), which fault-around does not cross, and unmaps
// what is mapped so far; at exit it writes one line per page, "<perm> <file offset hex> <0|1>",
// to $PGREACH_TOUCHED_OUT.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int exePath(char* out, size_t size) {
  ssize_t n = readlink("/proc/self/exe", out, size - 1);
  if (n < 0) return 0;
  out[n] = 0;
  return 1;
}

// True when every present page of [lo, hi) is a page of the file: the RELRO part, which the
// dynamic loader has relocated (private anonymous copies), must not be unmapped.
static int onlyFilePages(int pagemap, unsigned long lo, unsigned long hi) {
  for (unsigned long a = lo; a < hi; a += 4096) {
    uint64_t e = 0;
    if (pread(pagemap, &e, sizeof e, (off_t)(a / 4096 * 8)) != sizeof e) return 0;
    if ((e >> 63) && !((e >> 61) & 1)) return 0;
  }
  return 1;
}

// Before the executable's own constructors (preloaded libraries are initialised first).
__attribute__((constructor)) static void splitPages(void) {
  char exe[4096];
  if (!getenv("PGREACH_TOUCHED_OUT") || !exePath(exe, sizeof exe)) return;
  FILE* maps = fopen("/proc/self/maps", "r");
  int pagemap = open("/proc/self/pagemap", O_RDONLY);
  char line[8192];
  unsigned long lo[16], hi[16];
  int n = 0;
  while (n < 16 && fgets(line, sizeof line, maps)) {
    char perm[8], path[4096] = "";
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo[n], &hi[n], perm, path) < 3) continue;
    if (strcmp(path, exe) == 0 && perm[1] == '-' && onlyFilePages(pagemap, lo[n], hi[n])) ++n;
  }
  fclose(maps);
  close(pagemap);
  for (int i = 0; i < n; ++i) {
    for (unsigned long a = lo[i]; a < hi[i]; a += 8192) madvise((void*)a, 4096, MADV_DONTDUMP);
    madvise((void*)lo[i], hi[i] - lo[i], MADV_DONTNEED);
  }
}

__attribute__((destructor)) static void writePages(void) {
  char exe[4096];
  const char* out = getenv("PGREACH_TOUCHED_OUT");
  if (!out || !exePath(exe, sizeof exe)) return;
  FILE* maps = fopen("/proc/self/maps", "r");
  FILE* o = fopen(out, "w");
  int pagemap = open("/proc/self/pagemap", O_RDONLY);
  char line[8192];
  while (maps && o && pagemap >= 0 && fgets(line, sizeof line, maps)) {
    unsigned long lo, hi, off;
    char perm[8], path[4096] = "";
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perm, &off, path) < 4) continue;
    if (strcmp(path, exe) != 0) continue;
    for (unsigned long a = lo; a < hi; a += 4096) {
      uint64_t e = 0;
      if (pread(pagemap, &e, sizeof e, (off_t)(a / 4096 * 8)) != sizeof e) e = 0;
      fprintf(o, "%s %lx %d\n", perm, off + (a - lo), (int)(e >> 63));
    }
  }
  if (o) fclose(o);
  if (maps) fclose(maps);
  if (pagemap >= 0) close(pagemap);
}
