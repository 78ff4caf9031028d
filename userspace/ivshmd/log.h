/* SPDX-License-Identifier: GPL-2.0 */
/* log.h - leveled logging to stderr, with a rate limit for guest-caused lines. */
#ifndef IVSHMD_LOG_H
#define IVSHMD_LOG_H

enum ivd_log_level { IVD_ERR, IVD_WARN, IVD_INFO, IVD_DEBUG };

void ivd_log_set_level(int level);
int ivd_log_level(void);
void ivd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like ivd_log() but at most a burst of lines per second (all levels
 * together): a guest can trigger these at will and must not flood the log. */
void ivd_log_guest_level(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define ivd_log_guest(...)	ivd_log_guest_level(IVD_WARN, __VA_ARGS__)

#define ivd_err(...)	ivd_log(IVD_ERR, __VA_ARGS__)
#define ivd_warn(...)	ivd_log(IVD_WARN, __VA_ARGS__)
#define ivd_info(...)	ivd_log(IVD_INFO, __VA_ARGS__)
#define ivd_dbg(...)	ivd_log(IVD_DEBUG, __VA_ARGS__)

#endif
