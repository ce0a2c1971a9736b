#include "config.h"
#include <stdlib.h>
#include "fs_private.h"
void oi_sysarea_free(struct optimg_sysarea *sa) { if (sa) { free(sa->gpt_parts); free(sa->apm_parts); free(sa);} }
