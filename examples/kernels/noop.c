/*
 * noop: does nothing and exits 0 with empty stdout.
 *
 *   noop [ANY...]   -> "" (exit 0)
 *
 * Used by the throughput benchmark: with no work in the kernel, what is measured is Surge's own
 * cost per task (dispatch, lease, upload, merge). It deliberately ignores its arguments, its
 * environment and stdin, so nothing but the runtime itself is timed.
 */
int main(void)
{
    return 0;
}
