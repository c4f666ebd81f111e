ALTER TABLE `webhook_endpoints` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret_expires_at` integer;--> statement-breakpoint
CREATE INDEX `webhook_endpoints_previous_expiry_idx` ON `webhook_endpoints` (`previous_secret_expires_at`) WHERE previous_secret_expires_at IS NOT NULL;