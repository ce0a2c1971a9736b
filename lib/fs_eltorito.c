#include "config.h"
#include <stdlib.h>
#include "fs_private.h"
void oi_boot_catalog_free(struct optimg_boot_catalog *cat) { if (cat) { free(cat->entries); free(cat);} }
