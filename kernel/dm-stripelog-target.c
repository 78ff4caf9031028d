// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stripelog: a log-structured, two-tier, erasure-coded block volume.
 *
 * Device-mapper target glue.  (Scaffolding: registers the target only.)
 */
#include <linux/module.h>
#include <linux/device-mapper.h>

#define DM_MSG_PREFIX "stripelog"

static int stripelog_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	ti->error = "stripelog: not implemented yet";
	return -EINVAL;
}

static void stripelog_dtr(struct dm_target *ti)
{
}

static int stripelog_map(struct dm_target *ti, struct bio *bio)
{
	return DM_MAPIO_KILL;
}

static struct target_type stripelog_target = {
	.name = "stripelog",
	.version = {0, 1, 0},
	.module = THIS_MODULE,
	.ctr = stripelog_ctr,
	.dtr = stripelog_dtr,
	.map = stripelog_map,
};

static int __init dm_stripelog_init(void)
{
	return dm_register_target(&stripelog_target);
}

static void __exit dm_stripelog_exit(void)
{
	dm_unregister_target(&stripelog_target);
}

module_init(dm_stripelog_init);
module_exit(dm_stripelog_exit);

MODULE_DESCRIPTION(DM_NAME " log-structured erasure-coded volume");
MODULE_LICENSE("GPL");
