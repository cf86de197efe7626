"""Built-in sandbox stores: local emulators of the BigCommerce and Hike APIs (see ``stores.start_sandbox``)."""
