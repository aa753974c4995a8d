SELECT business_name, default_locale, timezone FROM barnum.barnum_settings
